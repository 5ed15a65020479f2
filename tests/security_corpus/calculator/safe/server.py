"""Calculator: evaluate arithmetic for the model."""

import ast
import math
import operator

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

mcp = FastMCP("Calculator")
OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
}
FUNCTIONS = {"sqrt": math.sqrt, "sin": math.sin, "cos": math.cos, "log": math.log}
CONSTANTS = {"pi": math.pi, "e": math.e}


def _evaluate(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name) and node.id in CONSTANTS:
        return CONSTANTS[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        return OPERATORS[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in OPERATORS:
        return OPERATORS[type(node.op)](_evaluate(node.operand))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
        return FUNCTIONS[node.func.id](*(_evaluate(arg) for arg in node.args))
    raise ToolError("only numbers, + - * / **, pi, e, sqrt, sin, cos and log are allowed")


@mcp.tool
def calculate(expression: str) -> float:
    """Evaluate an expression such as 'sqrt(2) * pi'."""
    return _evaluate(ast.parse(expression, mode="eval").body)
