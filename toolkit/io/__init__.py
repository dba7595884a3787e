"""Every file the toolkit reads or writes: base data and its catalogue, caches, results, Statistics Finland.

* :mod:`toolkit.io.catalogue` — the contract of every ``params/data`` file (columns, codes, ranges, source);
* :mod:`toolkit.io.params` — where ``params/`` is, the validator of a table, the loaders, data provenance;
* :mod:`toolkit.io.inputs` — the loaded inputs of the population model (:class:`PopulationInputs`);
* :mod:`toolkit.io.cache` — the on-disk cache of fitted models;
* :mod:`toolkit.io.files` — the one helper that writes a file atomically;
* :mod:`toolkit.io.results` — run outputs as NetCDF or tidy CSV;
* :mod:`toolkit.io.statfin` — the Statistics Finland PxWeb client, JSON-stat and the refresh of ``params/data``.

The model core never opens a file: it takes what these modules load.
"""
