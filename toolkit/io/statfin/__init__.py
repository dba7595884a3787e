"""Statistics Finland PxWeb loader: :mod:`.client` (HTTP), :mod:`.jsonstat` (JSON-stat 2.0 to tables),
:mod:`.tables` (table and variable codes, tidy area tables), :mod:`.refresh` (refresh and status of ``params/data``).
"""
