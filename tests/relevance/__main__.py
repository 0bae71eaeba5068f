"""Print how well search answers the judged queries: one line per miss, then the totals."""

from __future__ import annotations

import bot

from . import cases, judge, scores


def main() -> None:
    library = bot.load_library()
    judged = [judge(library, case) for case in cases()]
    for j in judged:
        if j.rank != 1:
            print(f"rank {j.rank or '-'}: {j.case.query!r} wants {j.case.top} ({j.case.why}); "
                  f"first: {j.ranked[0] if j.ranked else 'nothing'}")
    first, reciprocal = scores(judged)
    print(f"{len(judged)} judged queries: precision@1 {first:.3f}, MRR {reciprocal:.3f}")


if __name__ == "__main__":
    main()
