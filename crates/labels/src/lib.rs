//! ZPL and PDF rendering of box labels, shelf labels, packing slips and manifests.
