/* text_scan.c: bounded line/word scanning and C-locale numbers for the text readers. */
#define _GNU_SOURCE /* strtod_l, newlocale */
#include "sim/text_scan.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static _Atomic(locale_t) c_locale_cache;

/* One C locale for the whole process, created on first use. Two threads racing here
 * both create one; the loser frees its copy. */
static locale_t c_locale(void)
{
  locale_t loc = atomic_load(&c_locale_cache);
  if (loc)
    return loc;
  locale_t fresh = newlocale(LC_ALL_MASK, "C", (locale_t) 0);
  if (!fresh)
    return LC_GLOBAL_LOCALE; /* out of memory: the global locale is the best we have */
  locale_t expected = (locale_t) 0;
  if (!atomic_compare_exchange_strong(&c_locale_cache, &expected, fresh)) {
    freelocale(fresh);
    return expected;
  }
  return fresh;
}

void am_scan_init(AmScan *s, const char *text, size_t len)
{
  s->p = text;
  s->end = text + len;
  s->line = 0;
}

bool am_scan_line(AmScan *s, AmSpan *line)
{
  if (s->p >= s->end)
    return false;
  const char *nl = memchr(s->p, '\n', (size_t) (s->end - s->p));
  const char *stop = nl ? nl : s->end;
  line->p = s->p;
  line->end = stop;
  if (line->end > line->p && line->end[-1] == '\r')
    line->end--;
  s->p = nl ? nl + 1 : s->end;
  s->line++;
  return true;
}

size_t am_scan_remaining(const AmScan *s)
{
  return (size_t) (s->end - s->p);
}

static bool is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

void am_span_split_comment(AmSpan *line, AmSpan *comment)
{
  const char *hash = memchr(line->p, '#', (size_t) (line->end - line->p));
  if (comment) {
    comment->p = hash ? hash + 1 : line->end;
    comment->end = line->end;
  }
  if (hash)
    line->end = hash;
}

bool am_span_word(AmSpan *span, AmSpan *word)
{
  const char *p = span->p;
  while (p < span->end && is_space(*p))
    p++;
  if (p >= span->end) {
    span->p = span->end;
    return false;
  }
  const char *q = p;
  while (q < span->end && !is_space(*q))
    q++;
  word->p = p;
  word->end = q;
  span->p = q;
  return true;
}

int am_span_count_words(AmSpan span)
{
  int n = 0;
  AmSpan w;
  while (am_span_word(&span, &w))
    if (n < INT_MAX)
      n++;
  return n;
}

bool am_span_is_blank(AmSpan span)
{
  AmSpan w;
  return !am_span_word(&span, &w);
}

AmSpan am_span_trim(AmSpan span)
{
  while (span.p < span.end && is_space(*span.p))
    span.p++;
  while (span.end > span.p && is_space(span.end[-1]))
    span.end--;
  return span;
}

bool am_span_equals_words(AmSpan span, const char *phrase)
{
  AmSpan want = {phrase, phrase + strlen(phrase)};
  AmSpan a, b;
  for (;;) {
    const bool ha = am_span_word(&span, &a);
    const bool hb = am_span_word(&want, &b);
    if (!ha || !hb)
      return ha == hb;
    if (am_span_len(a) != am_span_len(b) || memcmp(a.p, b.p, am_span_len(a)) != 0)
      return false;
  }
}

size_t am_span_len(AmSpan span)
{
  return (size_t) (span.end - span.p);
}

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

static bool ascii_ieq(const char *p, const char *end, const char *lower)
{
  size_t n = strlen(lower);
  if ((size_t) (end - p) != n)
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = p[i];
    if (c >= 'A' && c <= 'Z')
      c = (char) (c - 'A' + 'a');
    if (c != lower[i])
      return false;
  }
  return true;
}

AmNumStatus am_parse_double(AmSpan word, double *out)
{
  const char *p = word.p, *end = word.end;
  if (p < end && (*p == '+' || *p == '-'))
    p++;
  if (ascii_ieq(p, end, "nan") || ascii_ieq(p, end, "inf") || ascii_ieq(p, end, "infinity"))
    return AM_NUM_NOT_FINITE;
  /* Strict syntax first: strtod alone would also take hex floats, "nan(...)" and
   * leading white space, and would stop silently at trailing garbage. */
  int digits = 0;
  while (p < end && is_digit(*p))
    p++, digits++;
  if (p < end && *p == '.') {
    p++;
    while (p < end && is_digit(*p))
      p++, digits++;
  }
  if (!digits)
    return AM_NUM_NOT_A_NUMBER;
  if (p < end && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < end && (*p == '+' || *p == '-'))
      p++;
    int edigits = 0;
    while (p < end && is_digit(*p))
      p++, edigits++;
    if (!edigits)
      return AM_NUM_NOT_A_NUMBER;
  }
  if (p != end)
    return AM_NUM_NOT_A_NUMBER;
  char buf[512];
  const size_t n = am_span_len(word);
  if (n >= sizeof buf)
    return AM_NUM_NOT_A_NUMBER;
  memcpy(buf, word.p, n);
  buf[n] = '\0';
  errno = 0;
  char *stop = NULL;
  const double v = strtod_l(buf, &stop, c_locale());
  if (stop != buf + n)
    return AM_NUM_NOT_A_NUMBER;
  if (!isfinite(v))
    return AM_NUM_NOT_FINITE;
  *out = v;
  return AM_NUM_OK;
}

AmNumStatus am_parse_int64(AmSpan word, int64_t *out)
{
  const char *p = word.p, *end = word.end;
  bool neg = false;
  if (p < end && (*p == '+' || *p == '-'))
    neg = *p++ == '-';
  if (p >= end)
    return AM_NUM_NOT_A_NUMBER;
  uint64_t v = 0;
  bool overflow = false;
  for (; p < end; p++) {
    if (!is_digit(*p))
      return AM_NUM_NOT_A_NUMBER;
    const uint64_t d = (uint64_t) (*p - '0');
    if (v > (UINT64_MAX - d) / 10)
      overflow = true;
    else
      v = v * 10 + d;
  }
  if (overflow || v > (uint64_t) INT64_MAX + (neg ? 1u : 0u))
    return AM_NUM_OUT_OF_RANGE;
  *out = neg ? (v == (uint64_t) INT64_MAX + 1u ? INT64_MIN : -(int64_t) v) : (int64_t) v;
  return AM_NUM_OK;
}

const char *am_span_quote(AmSpan word, char *buf, size_t size)
{
  if (!size)
    return buf;
  size_t n = am_span_len(word);
  bool cut = false;
  if (n + 1 > size) {
    cut = true;
    n = size > 4 ? size - 4 : size - 1;
  }
  for (size_t i = 0; i < n; i++) {
    const unsigned char c = (unsigned char) word.p[i];
    buf[i] = (c >= 0x20 && c < 0x7f) ? (char) c : '?';
  }
  if (cut && size > 4) {
    memcpy(buf + n, "...", 3);
    n += 3;
  }
  buf[n] = '\0';
  return buf;
}

int am_fprintf_c(FILE *fp, const char *fmt, ...)
{
  AmCLocale st;
  am_c_locale_enter(&st);
  va_list ap;
  va_start(ap, fmt);
  const int r = vfprintf(fp, fmt, ap);
  va_end(ap);
  am_c_locale_leave(&st);
  return r;
}

void am_c_locale_enter(AmCLocale *state)
{
  state->saved = (void *) uselocale(c_locale());
}

void am_c_locale_leave(AmCLocale *state)
{
  if (state->saved)
    uselocale((locale_t) state->saved);
  state->saved = NULL;
}
