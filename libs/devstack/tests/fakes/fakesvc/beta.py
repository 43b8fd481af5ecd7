from . import serve

serve("BETA_")
