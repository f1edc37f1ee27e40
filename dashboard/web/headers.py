"""Security headers on every response: a Content-Security-Policy that lets the page load only from this server
(Dash's inline renderer bootstrap and clientside callbacks need 'unsafe-inline'; Plotly's number formatting
compiles with `new Function`, so 'unsafe-eval'), no framing by other sites, no MIME sniffing, a referrer only to
this server (never to another site; with none at all, browsers send `Origin: null` on our own posts and the guard
could not tell them from a forgery), and no browser features the app does not use."""

from __future__ import annotations

from flask import Flask, Response

POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def install(server: Flask) -> None:
    """Add the headers to every response (those a route set itself are kept)."""

    @server.after_request
    def secure(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
