"""Server-rendered pages: plain forms that work without JavaScript."""
