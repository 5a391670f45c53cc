// The image's HEALTHCHECK: exit 0 when the gateway's /healthz answers 200 (car data flowing),
// 1 otherwise (503, no answer, or no answer within 4 s). Node has fetch; the image has no curl.
const url = process.env.OBDIO_HEALTH_URL ?? 'http://127.0.0.1:48484/healthz';
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  const body = await response.json().catch(() => ({}));
  console.log(`${response.status} ${body.status ?? ''}: ${body.message ?? ''}`);
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.log(`${url}: ${error.message}`);
  process.exit(1);
}
