"""The offline demo: a local server replays bundled API payloads to the real collectors."""
