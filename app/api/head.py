"""HEAD for every GET route (RFC 9110 9.3.2): the GET answer's status and headers, no body."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """Serve HEAD by running GET and dropping the body; FastAPI routes answer GET only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {"type": "http.response.body", "body": b"", "more_body": False}
                if sent_final_body:
                    return
                sent_final_body.append(True)
            await send(message)

        sent_final_body: list[bool] = []
        await self.app({**scope, "method": "GET"}, receive, send_without_body)
