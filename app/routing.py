"""A route class that commits the request's session once the endpoint has returned."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute


class CommittingRoute(APIRoute):
    """One request, one transaction: commit before the response is sent, never in services."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def commit_after(request: Request) -> Response:
            response = await handler(request)
            session = getattr(request.state, "db", None)
            if session is not None:
                await session.commit()
            return response

        return commit_after
