/* error.h: status codes and the small error record the engine and analysis fill.
 *
 * sim/ and analysis/ never print and never abort on bad input: they return a status
 * and leave a message that names the file, the line and what was expected. Layers
 * above turn it into a GError. */
#pragma once

#include <stddef.h>

typedef enum {
  AM_OK = 0,
  AM_ERR_IO,          /* a file could not be opened, read or written */
  AM_ERR_FORMAT,      /* a file's contents are malformed */
  AM_ERR_INVALID,     /* an argument or setting is out of range */
  AM_ERR_NOMEM,       /* an allocation failed */
  AM_ERR_NUMERIC,     /* NaN/Inf or an exploding quantity */
  AM_ERR_UNSUPPORTED, /* a valid request this build cannot do */
} AmStatus;

typedef struct {
  AmStatus code;
  char message[1024];
} AmError;

/* Sets err (if non-NULL) and returns code, so callers can `return am_error_set(...)`. */
AmStatus am_error_set(AmError *err, AmStatus code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes an existing message, e.g. with the name of the file being read. */
AmStatus am_error_prefix(AmError *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

const char *am_status_name(AmStatus code);
