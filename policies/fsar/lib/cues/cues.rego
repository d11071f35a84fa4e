# METADATA
# title: Cue words of the generator's heuristic
# description: >-
#   The generator raises a proposal's severity on words in its text. The
#   rules that check its scoring, and sweeps that follow how often texts
#   speak of irreversible change, read the words here.
package fsar.lib.cues

# A proposal that mentions one of these, in any case, speaks of an
# irreversible change: the generator scores it 48, above the hard threshold.
irreversible_terms := ["irreversible", "data loss"]
