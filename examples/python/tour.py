#!/usr/bin/env python3
"""A tour of tickertape protocol v1 from Python, written only from docs/protocol.md.

Sends every request the protocol has (starting with the version negotiation) and decodes every message type
the server sends, printing one line per message: `<type> <details>`. Uses only Debian's python3-msgpack and
python3-websockets.

    python3 tour.py ws://localhost:8080/ws [--json] [--updates N]
"""
import argparse
import asyncio
import json

import msgpack
import websockets


def describe(message):
    kind = message["type"]
    if kind == "hello":
        return (f"id={message.get('id')} protocol={message['protocol']} protocols={message.get('protocols', [1])} "
                f"server={message['server']} flushMs={message['flushMs']} feed={message['feed']['kind']}")
    if kind == "subscribed":
        rejected = ",".join(f"{r['symbol']}:{r['code']}" for r in message["rejected"])
        return f"id={message.get('id')} symbols={','.join(message['symbols'])} rejected={rejected}"
    if kind == "snapshot":
        data = message["data"]
        return f"{message['symbol']} last={data.get('p')} bid={data.get('b')} ask={data.get('a')} bars={len(data.get('k', []))}"
    if kind == "update":
        symbols = ",".join(entry["s"] for entry in message["updates"])
        return f"seq={message['seq']} time={message['time']} entries={len(message['updates'])} symbols={symbols}"
    if kind == "history":
        first = message["bars"][0] if message["bars"] else None
        return f"id={message.get('id')} {message['symbol']} {message['interval']} bars={len(message['bars'])} first={first}"
    if kind == "pong":
        return f"id={message.get('id')} time={message['time']}"
    if kind == "list":
        return f"id={message.get('id')} symbols={len(message['symbols'])} first={message['symbols'][0]['symbol']}"
    if kind == "unsubscribed":
        return f"id={message.get('id')} symbols={','.join(message['symbols'])}"
    if kind == "replay":
        return (f"id={message.get('id')} state={message['state']} position={message.get('position')} "
                f"speed={message['speed']} paused={message['paused']} progress={message['progress']:.3f}")
    if kind == "error":
        return f"id={message.get('id')} code={message['code']} message={message['message']}"
    return "(a type this tour does not know: newer server)"


async def tour(url, use_json, updates_wanted):
    protocol = "json" if use_json else "msgpack"
    encode = (lambda m: json.dumps(m)) if use_json else (lambda m: msgpack.packb(m))
    decode = (lambda f: json.loads(f)) if use_json else (lambda f: msgpack.unpackb(f))
    async with websockets.connect(url, subprotocols=[protocol]) as ws:
        requests = [
            # Version negotiation: the versions this script speaks; the answer is a hello with id 0.
            {"type": "hello", "id": 0, "protocols": [1], "client": "tour.py"},
            {"type": "subscribe", "id": 1, "symbols": ["AAPL", "BTC-USD", "NO-SUCH-SYMBOL"]},
            {"type": "history", "id": 2, "symbol": "AAPL", "interval": "1m", "limit": 5},
            {"type": "list", "id": 3},
            {"type": "ping", "id": 4},
            {"type": "history", "id": 5, "symbol": "AAPL", "interval": "2h"},  # an error, on purpose
            # Replay state: a `replay` answer from a replay server, an UNSUPPORTED error from any other feed.
            {"type": "replay", "id": 7, "action": "state"},
        ]
        for request in requests:
            await ws.send(encode(request))
        updates = 0
        unsubscribed = False
        async for frame in ws:
            message = decode(frame)
            print(message["type"], describe(message), flush=True)
            if message["type"] == "update":
                updates += 1
                if updates == updates_wanted and not unsubscribed:
                    await ws.send(encode({"type": "unsubscribe", "id": 6, "symbols": ["AAPL", "BTC-USD"]}))
                    unsubscribed = True
            if message["type"] == "unsubscribed":
                return


parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("url")
parser.add_argument("--json", action="store_true", help="use the json subprotocol instead of MessagePack")
parser.add_argument("--updates", type=int, default=3, help="update frames to read before unsubscribing")
args = parser.parse_args()
asyncio.run(tour(args.url, args.json, args.updates))
