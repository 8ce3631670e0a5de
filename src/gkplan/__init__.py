"""gkplan: track a Chinese government office's yearly work plan (政务公开工作要点) kept as YAML."""

__version__ = "0.1.0"
