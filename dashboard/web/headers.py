"""Security headers on every response: a Content-Security-Policy that lets the page load only from this server
(inline scripts only by the hashes Dash reports for its renderer's start and the clientside callbacks; styles
'unsafe-inline' because Plotly writes its own <style> elements; Plotly's number formatting compiles with
`new Function`, so 'unsafe-eval'), no framing by other sites, no MIME sniffing, a referrer only to
this server (never to another site; with none at all, browsers send `Origin: null` on our own posts and the guard
could not tell them from a forgery), and no browser features the app does not use."""

from __future__ import annotations

from flask import Flask, Response

DIRECTIVES = (
    "default-src 'self'",
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


def policy(script_hashes: tuple[str, ...] = ()) -> str:
    """The Content-Security-Policy: scripts from this server, plus the inline ones whose hashes Dash reports (its
    renderer's start and the clientside callbacks) — no other inline script; 'unsafe-eval' for Plotly."""
    scripts = " ".join(("script-src 'self'", *script_hashes, "'unsafe-eval'"))
    return "; ".join((DIRECTIVES[0], scripts, *DIRECTIVES[1:]))


HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def install(server: Flask, script_hashes: tuple[str, ...] = ()) -> None:
    """Add the headers to every response (those a route set itself are kept)."""
    headers = {"Content-Security-Policy": policy(script_hashes), **HEADERS}

    @server.after_request
    def secure(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
