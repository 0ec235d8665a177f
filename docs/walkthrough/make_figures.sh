#!/bin/sh
# The README's walk-through "From scenario to figure", start to finish: the commands as the
# README gives them, into output/walk/, and the two figures copied to docs/walkthrough/.
# Run from the repository root after `make` (or `make run`): docs/walkthrough/make_figures.sh
set -eu
BIN=${HS_BIN:-build/hepatosim}
mkdir -p output/walk
$BIN run scenarios/default.yaml -o output/walk/run.h5 --force
$BIN plot output/walk/run.h5 --log -o output/walk/run.png --force
$BIN sweep scenarios/patients/oxaliplatin_patients.yaml -o output/walk/patients.h5 --force --quiet
$BIN info output/walk/patients.h5 > output/walk/patients_info.txt
$BIN sensitivity scenarios/sweeps/oxaliplatin_sensitivity.yaml -o output/walk/sens.h5 \
  --metrics auc_tumor,regional_advantage --force --quiet > output/walk/sens_table.txt
$BIN plot output/walk/sens.h5 --metric auc_tumor --drug oxaliplatin -o output/walk/sens.png --force
cp output/walk/run.png output/walk/sens.png docs/walkthrough/
echo "walk-through: output/walk/ and docs/walkthrough/run.png, sens.png"
