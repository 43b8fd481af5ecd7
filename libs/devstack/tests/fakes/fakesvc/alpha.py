from . import serve

serve("ALPHA_")
