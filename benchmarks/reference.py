"""A plain per-age, per-sex Python implementation of one cohort-component step (the benchmarks' reference).

It follows the same conventions as :func:`toolkit.population.ccm.project` written out as loops, the way the
method is taught; the benchmarks check that both give the same numbers before comparing their speed.
"""

from __future__ import annotations


def project_loops(population, Lx, asfr, width=1, radix=1.0, srb=1.05, migration_count=None):
    """population[sex][age], Lx[step][sex][age], asfr[step][age], migration_count[step][sex][age] (lists)."""
    ages = len(population[0])
    current = [list(row) for row in population]
    history = [current]
    for t in range(len(Lx)):
        start = []
        for s in range(2):
            row = []
            for x in range(ages):
                half = 0.5 * migration_count[t][s][x] if migration_count is not None else 0.0
                row.append(current[s][x] + max(half, -current[s][x]))
            start.append(row)
        end = [[0.0] * ages for _ in range(2)]
        for s in range(2):
            L = Lx[t][s]
            for x in range(ages - 2):
                end[s][x + 1] = start[s][x] * L[x + 1] / L[x]
            end[s][ages - 1] = (start[s][ages - 2] + start[s][ages - 1]) * L[ages - 1] / (L[ages - 2] + L[ages - 1])
            for x in range(1, ages):
                half = 0.5 * migration_count[t][s][x] if migration_count is not None else 0.0
                end[s][x] += max(half, -end[s][x])
        births = 0.0
        for x in range(1, ages):
            births += width * asfr[t][x] * 0.5 * (start[0][x] + end[0][x])
        girls = births / (1.0 + srb)
        for s, born in enumerate((girls, births - girls)):
            newborns = born * Lx[t][s][0] / (width * radix)
            half = 0.5 * migration_count[t][s][0] if migration_count is not None else 0.0
            end[s][0] = newborns + max(half, -newborns)
        history.append(end)
        current = end
    return history
