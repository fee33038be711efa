"""A small preview-era voice agent, as many teams wrote it in 2025.

`realtime-migrate scan examples/` reports what breaks on the GA Realtime API;
`realtime-migrate fix examples/` rewrites what is safe to rewrite.
"""

import asyncio
import base64
import json
import os

import websockets

MODEL = os.environ.get("REALTIME_MODEL", "gpt-4o-realtime-preview")
URL = os.environ.get("REALTIME_URL", f"wss://api.openai.com/v1/realtime?model={MODEL}")
AZURE_URL = (
    f"{os.environ.get('AZURE_OPENAI_ENDPOINT', 'wss://contoso.openai.azure.com')}"
    f"/openai/realtime?api-version=2024-10-01-preview&deployment={MODEL}"
)


async def main() -> None:
    headers = {
        "Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}",
        "OpenAI-Beta": "realtime=v1",
    }
    async with websockets.connect(URL, additional_headers=headers) as ws:
        await ws.send(json.dumps({
            "type": "session.update",
            "session": {
                "modalities": ["text", "audio"],
                "voice": "alloy",
                "input_audio_format": "pcm16",
                "output_audio_format": "pcm16",
                "turn_detection": None,
            },
        }))
        await ws.send(json.dumps({"type": "response.create"}))
        audio = bytearray()
        async for raw in ws:
            event = json.loads(raw)
            if event["type"] == "response.audio.delta":
                audio.extend(base64.b64decode(event["delta"]))
            elif event["type"] == "response.audio_transcript.delta":
                print(event["delta"], end="", flush=True)
            elif event["type"] == "response.done":
                break
        print(f"\nreceived {len(audio)} bytes of audio")


if __name__ == "__main__":
    asyncio.run(main())
