/**
 * A gateway with the MQTT sink in a process of its own, so a test can kill it (SIGKILL, by PID)
 * and watch the broker publish its last will. argv: <broker url> <vehicle>. Prints "ready" once
 * the sink is connected.
 */
import { MqttSink } from '../../src/sinks/mqtt.js';
import { startGateway } from './gateway.js';

const [url, vehicle] = process.argv.slice(2);
const gateway = await startGateway(`
watch: { commands: [RPM], interval: 0.1 }
mqtt: { url: "${url}", vehicle: "${vehicle}", every: 0 }
`);
const sink = await MqttSink.start(gateway.currentSpec, { service: gateway.service });
for (let i = 0; i < 200 && !sink.stats.connected; i++) await new Promise((r) => setTimeout(r, 25));
process.stdout.write(sink.stats.connected ? 'ready\n' : 'not connected\n');
