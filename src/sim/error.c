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
  snprintf(err->message, sizeof err->message, "%s%s", prefix, old);
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
