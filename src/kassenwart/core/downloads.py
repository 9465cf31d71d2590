"""A file to download, for the web and the API alike: its bytes as they are, under a name
that cannot break the header (no folder, quotes or line breaks)."""

from django.http import HttpResponse


def attachment(content: bytes, file_name: str, content_type: str, *, fallback: str = "download") -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{safe_file_name(file_name) or fallback}"'
    return response


def safe_file_name(file_name: str) -> str:
    """The last part of `file_name` (a browser may send a whole path), without quotes and line
    breaks."""
    name = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(character for character in name if character not in '"\r\n')
