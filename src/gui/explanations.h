/* explanations.h: the short, plain-language texts behind the "?" buttons: what each panel of
 * the window shows, grounded in SCIENCE.md and the paper, written for students. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *topic; /* "atom-view", "free-play", "loss-modulus", "stress-fit", "nonaffine",
                      * "classes", "n-ra", "heatmaps" (the plot stack's page names) */
  const char *title; /* Pango markup */
  const char *body;  /* Pango markup, a few short paragraphs */
} AmorphExplanation;

/* The text for topic, or NULL for an unknown topic. */
const AmorphExplanation *amorph_explanation_lookup(const char *topic);
/* All topics, NULL-terminated (for tests). */
const char *const *amorph_explanation_topics(void);

G_END_DECLS
