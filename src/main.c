/* main.c: `amorph` (the explorer) and `amorph --batch` (headless). Placeholder until the
 * batch layer lands: prints usage. */
#include <stdio.h>

#include "amorph-config.h"

int main(int argc, char **argv)
{
  (void) argc;
  fprintf(stderr, "amorph %s\nusage: %s --batch CONFIG.ini [--set SECTION.KEY=VALUE ...] [--output DIR]\n",
          AMORPH_VERSION, argv[0]);
  return 2;
}
