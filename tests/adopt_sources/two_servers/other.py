from fastmcp import FastMCP

other = FastMCP("Two")
