import subprocess
import sys
from pathlib import Path

child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
Path("${outside}/child.pid").write_text(str(child.pid))

from fastmcp import FastMCP

mcp = FastMCP("Hostile")
