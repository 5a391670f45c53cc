#!/usr/bin/python3
"""The obd-socketio README's flows, run the way its users script them: Debian's python-socketio
client, replies awaited on the event's own name, values on the watch callback's event. Prints what
it saw as one JSON object; the Node test decides what is right (see ../reference-flows.ts, whose
JavaScript twin produces the same report).

usage: reference_flows.py URL VALUE_EVENT BARRIER_COMMAND QUIET_SECONDS
"""
import json
import queue
import sys
import threading
import time

import socketio

URL, VALUE_EVENT, BARRIER, QUIET = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
TIMEOUT = 30
GETTERS = ['status', 'is_connected', 'protocol_name', 'protocol_id', 'port_name', 'supported_commands']
REPLYING = GETTERS + ['has_name', 'supports', 'query']


class Client:
    def __init__(self):
        self.sio = socketio.Client(reconnection=False)
        self.replies = {event: queue.Queue() for event in REPLYING}
        self.values = []
        self.changed = threading.Condition()
        self.closed = threading.Event()
        for event in REPLYING:
            self.sio.on(event, self._replier(event))
        self.sio.on(VALUE_EVENT, self._on_value)
        self.sio.on('obd_closed', lambda *args: self.closed.set())
        self.sio.connect(URL, transports=['websocket'])

    def _replier(self, event):
        return lambda *args: self.replies[event].put(args[0] if args else None)

    def _on_value(self, *args):
        with self.changed:
            self.values.append(args[0] if args else None)
            self.changed.notify_all()

    def request(self, event, arg=None):
        self.sio.emit(event, arg)
        return self.replies[event].get(timeout=TIMEOUT)

    def mark(self):
        with self.changed:
            return len(self.values)

    def names_since(self, mark):
        with self.changed:
            return [value['command']['name'] for value in self.values[mark:]]

    def wait_for_names(self, mark, wanted):
        """Waits until every name in `wanted` arrived after `mark`; returns the first value of each."""
        deadline = time.monotonic() + TIMEOUT
        with self.changed:
            while True:
                first = {}
                for value in self.values[mark:]:
                    first.setdefault(value['command']['name'], value)
                if all(name in first for name in wanted):
                    return {name: first[name] for name in wanted}
                left = deadline - time.monotonic()
                if left <= 0:
                    return {name: first.get(name) for name in wanted}
                self.changed.wait(left)

    def settle(self):
        """Returns once every change sent before has taken effect: a query of an unwatched command
        waits for the request in flight, and its reply comes after every value sent before it."""
        self.request('query', BARRIER)

    def quiet_names(self):
        """The names that still stream after the last change, over a quiet window."""
        self.settle()
        mark = self.mark()
        time.sleep(QUIET)
        return self.names_since(mark)


def getters(client):
    seen = {event: client.request(event) for event in GETTERS}
    seen['has_name'] = {'RPM': client.request('has_name', 'RPM'), 'rpm': client.request('has_name', 'rpm')}
    seen['supports'] = {'RPM': client.request('supports', 'RPM')}
    seen['query_rpm'] = client.request('query', 'RPM')
    return seen


def main():
    a, b = Client(), Client()
    report = {'client': 'python-socketio', 'getters': getters(a)}

    mark_a, mark_b = a.mark(), b.mark()
    a.sio.emit('watch', ['RPM', 'SPEED'])
    report['watch_alone'] = a.wait_for_names(mark_a, ['RPM', 'SPEED'])
    report['watch_alone_other_client'] = b.wait_for_names(mark_b, ['RPM', 'SPEED'])
    report['query_watched'] = a.request('query', 'RPM')

    a.sio.emit('unwatch', ['SPEED'])
    report['after_unwatch'] = a.quiet_names()
    a.sio.emit('stop')
    report['after_stop'] = a.quiet_names()
    mark_a = a.mark()
    a.sio.emit('start')
    report['after_start'] = a.wait_for_names(mark_a, ['RPM'])
    a.sio.emit('unwatch_all')
    report['after_unwatch_all'] = a.quiet_names()
    a.sio.emit('start')
    report['start_with_nothing_watched'] = a.quiet_names()
    mark_a = a.mark()
    a.sio.emit('watch', ['SPEED'])
    report['watch_again'] = a.wait_for_names(mark_a, ['SPEED'])

    a.sio.emit('close')
    report['close'] = {'sender': a.closed.wait(TIMEOUT), 'other': b.closed.wait(TIMEOUT)}
    report['getters_after_close'] = getters(b)
    a.sio.disconnect()
    b.sio.disconnect()
    print(json.dumps(report))


if __name__ == '__main__':
    main()
