/* error.c: filling AmError records. */
#include "sim/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

AmStatus am_error_set(AmError *err, AmStatus code, const char *fmt, ...)
{
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    err->code = code;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
  }
  return code;
}

AmStatus am_error_prefix(AmError *err, const char *fmt, ...)
{
  if (!err)
    return AM_OK;
  char prefix[512];
  char old[sizeof err->message];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  memcpy(old, err->message, sizeof old);
  /* Keep as much of the prefix and the old message as fits; truncation is expected. */
  size_t np = strnlen(prefix, sizeof prefix);
  memcpy(err->message, prefix, np);
  size_t no = strnlen(old, sizeof old);
  if (no > sizeof err->message - 1 - np)
    no = sizeof err->message - 1 - np;
  memcpy(err->message + np, old, no);
  err->message[np + no] = '\0';
  return err->code;
}

const char *am_status_name(AmStatus code)
{
  switch (code) {
  case AM_OK: return "ok";
  case AM_ERR_IO: return "i/o error";
  case AM_ERR_FORMAT: return "format error";
  case AM_ERR_INVALID: return "invalid argument";
  case AM_ERR_NOMEM: return "out of memory";
  case AM_ERR_NUMERIC: return "numerical error";
  case AM_ERR_UNSUPPORTED: return "unsupported";
  }
  return "unknown error";
}
