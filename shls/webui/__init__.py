"""The web page of ``tools/webui.py`` (optional extra: ``pip install -e ".[webui]"``)."""
