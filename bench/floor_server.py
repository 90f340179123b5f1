"""The floor: the smallest MCPServer on the same SDK, one trivial tool. Run as a stdio server."""

from mcp.server.mcpserver import MCPServer

server = MCPServer("floor")


@server.tool()
def ping() -> str:
    """Answer pong."""
    return "pong"


if __name__ == "__main__":
    server.run("stdio")
