import os
import time
from pathlib import Path

pid_file = Path("${outside}/daemon.pid")
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        pid_file.write_text(str(os.getpid()))
        time.sleep(600)
    os._exit(0)
os.wait()
while not pid_file.exists():
    time.sleep(0.01)

from fastmcp import FastMCP

mcp = FastMCP("Hostile")
