/* text_scan.h: reading text file formats line by line, word by word, with line numbers.
 *
 * The file readers (setfl potentials, LAMMPS data files, extended XYZ) parse buffers that
 * need not be NUL-terminated and may hold any bytes, so nothing here runs past the end
 * of a buffer. Numbers are always read in the C locale: a GUI that called
 * setlocale(LC_ALL, "") in a decimal-comma locale must still read "3.5" as 3.5. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A buffer read line by line. */
typedef struct {
  const char *p, *end;  /* what is left */
  long line;            /* number of the line last returned by am_scan_line (1-based) */
} AmScan;

/* One line (without its end-of-line characters), or what is left of it. */
typedef struct {
  const char *p, *end;
} AmSpan;

void am_scan_init(AmScan *s, const char *text, size_t len);
/* Next line, LF or CRLF terminated (the last may lack one). False at the end. */
bool am_scan_line(AmScan *s, AmSpan *line);
/* Bytes not yet consumed. */
size_t am_scan_remaining(const AmScan *s);

/* Splits the span at the first '#': *line keeps what is before, *comment (may be NULL)
 * gets what follows the '#' (empty when there is none). */
void am_span_split_comment(AmSpan *line, AmSpan *comment);
/* Next whitespace-separated word of the span; false when none is left. */
bool am_span_word(AmSpan *span, AmSpan *word);
/* Number of words left in the span (does not consume them). */
int am_span_count_words(AmSpan span);
bool am_span_is_blank(AmSpan span);
/* Span without leading and trailing white space. */
AmSpan am_span_trim(AmSpan span);
/* True when the words of span are exactly the words of the space-separated phrase. */
bool am_span_equals_words(AmSpan span, const char *phrase);
size_t am_span_len(AmSpan span);

typedef enum {
  AM_NUM_OK = 0,
  AM_NUM_NOT_A_NUMBER,  /* not a decimal number at all (includes empty) */
  AM_NUM_NOT_FINITE,    /* "nan", "inf", or a value that overflows a double */
  AM_NUM_OUT_OF_RANGE,  /* an integer that does not fit */
} AmNumStatus;

/* A decimal floating-point number as LAMMPS accepts one: digits with an optional sign,
 * point and exponent. NaN and infinity are recognised so that messages can say so. */
AmNumStatus am_parse_double(AmSpan word, double *out);
/* A decimal integer with an optional sign. */
AmNumStatus am_parse_int64(AmSpan word, int64_t *out);
/* Copies a word into a NUL-terminated buffer for messages, shortened with "..." and with
 * non-printable bytes replaced by '?'. Returns buf. */
const char *am_span_quote(AmSpan word, char *buf, size_t size);

/* Locale-independent printf: numbers are formatted in the C locale whatever the
 * process locale is. Returns what vfprintf returns. */
int am_fprintf_c(FILE *fp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Switches the calling thread to the C locale for numbers and back. Writers that print
 * many numbers bracket their loops with these (cheaper than one switch per number). */
typedef struct {
  void *saved;
} AmCLocale;
void am_c_locale_enter(AmCLocale *state);
void am_c_locale_leave(AmCLocale *state);
