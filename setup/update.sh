#!/usr/bin/env bash
# make update: bring in the newest version of the course without losing the learner's work.
#
# Running a notebook changes it (new outputs, unfolded solutions, the learner's own cells),
# and git will not pull over changed files. This keeps a copy of every changed course
# notebook in my-work/<date-time>/ (ignored by git), gives the course its own files back,
# and pulls. The learner's own new files (untracked) are left where they are.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

changed=$(git diff --name-only HEAD -- notebooks)
if [ -n "$changed" ]; then
    keep="my-work/$(date +%Y-%m-%d_%H%M%S)"
    while IFS= read -r file; do
        mkdir -p "$keep/$(dirname "$file")"
        cp -p "$file" "$keep/$file"
    done <<<"$changed"
    git checkout HEAD -- notebooks
    echo "update: your versions of $(wc -l <<<"$changed" | tr -d ' ') changed notebook(s) are kept in $keep/"
fi
git pull --ff-only
echo "update: the course is up to date; open it with make lab"
