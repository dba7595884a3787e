"""Write ``docs/methods-selection.md``: rolling-origin evaluation, calibration, model selection, official projection.

Runs every candidate of :mod:`toolkit.population.model_selection` from the origins 2011–2024 (a few minutes on
two cores), the lever calibration tables and the decomposition against Statistics Finland's 2024 projection.

Usage::

    python tools/write_methods_selection.py [--draws 200] [--seed 0] [--out docs/methods-selection.md]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from toolkit.io.inputs import load_population_inputs
from toolkit.population import calibration as cal
from toolkit.population import migration_form, reference
from toolkit.population import model_selection as ms

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import fertility_evidence  # noqa: E402  (tools/fertility_evidence.py)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "methods-selection.md")
    args = parser.parse_args(argv)
    inputs = load_population_inputs()
    errors = cal.lever_errors(inputs, 2025)
    in_sample = cal.lever_calibration_table(errors, cal.calibration(inputs, 2025))
    later = errors[errors["origin"] >= 2015]
    out_of_sample = cal.lever_calibration_table(later, cal.calibration(inputs, 2015), own_fits=True)
    decomposition = reference.decompose_official_difference(2040, inputs=inputs)
    tables = ms.run_candidates(draws=args.draws, seed=args.seed, inputs=inputs)
    sentences = reference.decomposition_sentences(decomposition, "en")
    forms = migration_form.summary(migration_form.compare(inputs=inputs))
    text = ms.methods_selection_markdown(tables, in_sample, out_of_sample, decomposition, sentences,
                                         draws=args.draws, seed=args.seed, evidence=fertility_evidence.markdown(inputs),
                                         migration_forms=forms)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    partial = args.out.with_name(f".{args.out.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
