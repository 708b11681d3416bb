"""Processing algorithms of the group "InSAR points"."""
import re


def help_html(text: str) -> str:
    """Help for the Processing dialog, which shows every newline as a line break: blank lines
    become paragraph breaks, a line starting with <b> starts a new line, other wraps are spaces."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    lines = [re.sub(r"\s*\n\s*", " ", re.sub(r"\s*\n\s*(?=<b>)", "<br>", p)) for p in paragraphs]
    return "<br><br>".join(lines)

