/* explanations.c: the texts of the "?" popovers (see explanations.h). Numbers quoted here
 * are the conventions of SCIENCE.md (thresholds 1 Å and 2 Å, selected RAs > 50 % of
 * cycles) and the findings of the paper (β′ peak near 300 K at t_p = 1000 ps, f_RA peaking
 * with G″, two sites ~1.5 Å apart, a third ~4.3 Å away at 500 K). */
#include "gui/explanations.h"

#include <string.h>

static const AmorphExplanation explanations[] = {
    {"atom-view", "The atoms of the glass",
     "Each ball is an atom of a copper–zirconium glass: the smaller ones are copper, the larger ones "
     "zirconium, in a box that repeats itself in every direction. The atoms have no crystal order, yet they "
     "are frozen in place like a solid.\n\n"
     "Coloured by <b>class</b>, the colour says how far an atom moved during the last shear cycles, after "
     "taking away the stretching that the shear gives every atom alike (the <i>non-affine</i> displacement "
     "<i>u</i>′):\n"
     "• <b>VA</b>, vibrational: it only rattled in its cage (less than 1 Å).\n"
     "• <b>RA</b>, reversible: it hopped to a nearby spot, 1 to 2 Å away, and usually back.\n"
     "• <b>FA</b>, fast: it moved 2 Å or more, out of its cage.\n\n"
     "Drag to turn the box, scroll to zoom, click an atom to pin it (pinned atoms only follow the box)."},
    {"free-play", "Free play",
     "The glass is held at the temperature you choose and sheared back and forth like a deck of cards: "
     "the strain is γ = ε<sub>A</sub> sin(2π<i>t</i>/<i>t</i><sub>p</sub>), with amplitude ε<sub>A</sub> "
     "and period <i>t</i><sub>p</sub>.\n\n"
     "Every atom is classified over the last two periods: its largest non-affine displacement in that "
     "window makes it VA (below 1 Å), RA (1–2 Å) or FA (2 Å or more). The window slides with the run, so "
     "an atom that hopped long ago is counted as vibrating again once the hop has left the window.\n\n"
     "Try it: at 50 K practically every atom only vibrates. Warm the glass up and some atoms start to hop "
     "between two sites; towards the glass transition (about 800–900 K for the shipped samples) more and more flow away. "
     "A new temperature is approached gradually, at 100 K per picosecond, so the thermostat follows "
     "smoothly; a new amplitude or period starts with the next shear cycle."},
    {"loss-modulus", "Loss modulus <i>G</i>″(<i>T</i>)",
     "When a material is shaken, part of the work is stored like in a spring and given back, part is "
     "lost as heat. <i>G</i>″, the loss modulus, measures the lost part: it is the share of the stress "
     "that lags a quarter period behind the strain.\n\n"
     "Each point is one temperature: the stress of every replica is fitted with "
     "σ<sub>0</sub> + <i>a</i> sin ω<i>t</i> + <i>b</i> cos ω<i>t</i> and <i>G</i>″ = <i>b</i>/ε<sub>A</sub>; "
     "the error bar is the standard error over the replicas, which start from the same atoms with "
     "different random velocities.\n\n"
     "A peak means that at that temperature many atoms rearrange in about one period. The paper finds "
     "such a peak, the β′ relaxation, near 300 K for a period of 1000 ps, and a steep rise towards the "
     "glass transition near 900 K. Shorter periods, as used on a workstation, move the peak to higher "
     "temperatures."},
    {"stress-fit", "Stress and its fit",
     "The shear stress σ<sub><i>xy</i></sub> with which the glass pushes back, against time, while the "
     "strain goes up and down.\n\n"
     "A perfectly elastic solid would follow the strain exactly in step; a liquid would run a quarter "
     "period ahead. A glass is almost elastic, with a small lag. Fitting a sine wave to the stress splits "
     "it into the part in step with the strain (the storage modulus <i>G</i>′) and the part out of step "
     "(the loss modulus <i>G</i>″). The thermal noise is large next to <i>G</i>″, which is why the "
     "experiment repeats many cycles and replicas."},
    {"nonaffine", "How far atoms move: <i>p</i>(<i>u</i>′)",
     "A histogram of the non-affine displacements <i>u</i>′ of all atoms at all sampled times: how far "
     "each atom got from where it was at the start of the analysed window, once the shear's own "
     "stretching is taken out.\n\n"
     "Most of the weight sits below 1 Å: atoms vibrating in the cage of their neighbours. The tail holds "
     "the hops. The paper sees four peaks: two inside the first shell of neighbours, then near the first "
     "and the second copper–copper neighbour distances, where an atom has taken the place of a "
     "neighbour."},
    {"classes", "Atom classes against temperature",
     "The fractions of vibrational (VA, <i>u</i>′<sub>max</sub> below 1 Å), reversible (RA, 1–2 Å) and "
     "fast atoms (FA, 2 Å or more) at each temperature.\n\n"
     "Cold glasses are nearly all VA. On warming, reversible atoms appear first: they hop back and forth "
     "between two sites with the shear. The paper finds that the fraction of reversible atoms peaks where "
     "<i>G</i>″ peaks: these atoms are the ones turning the work of the shear into heat. Fast atoms take "
     "over near the glass transition."},
    {"n-ra", "Reversible atoms and loss",
     "Each point is one temperature: the number <i>N</i><sub>RA</sub> of selected reversible atoms "
     "against the loss modulus <i>G</i>″.\n\n"
     "An atom is a <i>selected</i> reversible atom when, in more than half of all analysed cycles, it "
     "moves between 1 and 2 Å from where the cycle started and comes back below 1 Å by the cycle's end. "
     "A line rising through the points says that the more such atoms, the larger the loss: the "
     "reversible atoms carry the β′ relaxation."},
    {"heatmaps", "Where an atom spends its time",
     "The positions of a reversible atom seen from above (<i>x</i> and <i>y</i>), collected over the "
     "whole run into a map: bright where the atom was often.\n\n"
     "At 100–300 K a reversible atom rattles between two sites about 1.5 Å apart; at 500 K the paper "
     "finds it visiting a third site, about 4.3 Å away."},
};

static const char *const topics[] = {"atom-view", "free-play", "loss-modulus", "stress-fit", "nonaffine",
                                     "classes",   "n-ra",      "heatmaps",     NULL};

const AmorphExplanation *amorph_explanation_lookup(const char *topic)
{
  for (size_t i = 0; topic && i < G_N_ELEMENTS(explanations); i++)
    if (strcmp(explanations[i].topic, topic) == 0)
      return &explanations[i];
  return NULL;
}

const char *const *amorph_explanation_topics(void)
{
  return topics;
}
