#!/usr/bin/env python3
"""A tickertape client in a dozen lines: Debian's python3-msgpack and python3-websockets, nothing else.

    python3 subscribe.py ws://localhost:8080/ws AAPL BTC-USD
"""
import asyncio, signal, sys
import msgpack, websockets

async def main(url, symbols):
    quotes = {}  # each symbol's latest fields: a snapshot has them all, an update only those that changed
    async with websockets.connect(url, subprotocols=["msgpack"]) as ws:
        await ws.send(msgpack.packb({"type": "subscribe", "id": 1, "symbols": symbols, "bars": False}))
        async for frame in ws:
            message = msgpack.unpackb(frame)
            for entry in [message["data"]] if message["type"] == "snapshot" else message.get("updates", []):
                quote = quotes.setdefault(entry["s"], {})
                quote.update(entry)
                print(entry["s"], quote.get("p", "-"), quote.get("b", "-"), quote.get("a", "-"), flush=True)

for sig in (signal.SIGINT, signal.SIGPIPE):  # Ctrl-C, or `| head` done reading: end quietly, as Unix tools do
    signal.signal(sig, signal.SIG_DFL)
if len(sys.argv) < 3:
    sys.exit("usage: python3 subscribe.py URL SYMBOL [SYMBOL ...]   e.g. ws://localhost:8080/ws AAPL BTC-USD")
asyncio.run(main(sys.argv[1], sys.argv[2:]))
