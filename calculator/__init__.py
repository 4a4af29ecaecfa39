"""AliExpress programme cost and ROI calculator (aeroi)."""
__version__ = "0.1.0"
