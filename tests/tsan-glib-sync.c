/* tsan-glib-sync.c: lets ThreadSanitizer see how Amorph's threads hand data to each other
 * through GLib, which Debian builds without TSan instrumentation.
 *
 * GLib's GMutex and GCond are futex-based (not pthread), its GAsyncQueue, thread pools and
 * reference counts use atomics inside the uninstrumented library, so TSan sees none of the
 * happens-before edges they create and reports every snapshot the worker publishes under a
 * mutex as a race. Preloaded (LD_PRELOAD) into the test programs of a -Db_sanitize=thread
 * build, these wrappers call the real functions and tell TSan about the edge
 * (__tsan_release before a handoff, __tsan_acquire after it). Only calls from Amorph's own
 * code pass through them (GLib binds its internal calls directly), which is what the check
 * is for: the worker, the sweep runner, GTask jobs and the batch scheduler. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <gio/gio.h>

void __tsan_acquire(void *addr);
void __tsan_release(void *addr);

/* real: the next definition of the same symbol, GLib's (looked up once; atomically, since
 * the first calls may come from several threads at once). */
#define REAL(name)                                                                                                     \
  static __typeof__(&name) real_##name;                                                                                \
  __typeof__(&name) real = __atomic_load_n(&real_##name, __ATOMIC_ACQUIRE);                                            \
  if (!real) {                                                                                                         \
    real = (__typeof__(&name)) dlsym(RTLD_NEXT, #name);                                                                \
    __atomic_store_n(&real_##name, real, __ATOMIC_RELEASE);                                                            \
  }

void g_mutex_lock(GMutex *m)
{
  REAL(g_mutex_lock);
  real(m);
  __tsan_acquire(m);
}

gboolean g_mutex_trylock(GMutex *m)
{
  REAL(g_mutex_trylock);
  gboolean locked = real(m);
  if (locked)
    __tsan_acquire(m);
  return locked;
}

void g_mutex_unlock(GMutex *m)
{
  REAL(g_mutex_unlock);
  __tsan_release(m);
  real(m);
}

void g_cond_wait(GCond *c, GMutex *m)
{
  REAL(g_cond_wait);
  __tsan_release(m);
  real(c, m);
  __tsan_acquire(m);
}

gboolean g_cond_wait_until(GCond *c, GMutex *m, gint64 end_time)
{
  REAL(g_cond_wait_until);
  __tsan_release(m);
  gboolean signalled = real(c, m, end_time);
  __tsan_acquire(m);
  return signalled;
}

void g_async_queue_push(GAsyncQueue *q, gpointer item)
{
  REAL(g_async_queue_push);
  __tsan_release(q);
  real(q, item);
}

gpointer g_async_queue_pop(GAsyncQueue *q)
{
  REAL(g_async_queue_pop);
  gpointer item = real(q);
  __tsan_acquire(q);
  return item;
}

gpointer g_async_queue_try_pop(GAsyncQueue *q)
{
  REAL(g_async_queue_try_pop);
  gpointer item = real(q);
  __tsan_acquire(q);
  return item;
}

/* Whoever drops the last reference frees the box after every other holder's release. */
void g_atomic_rc_box_release_full(gpointer box, GDestroyNotify clear)
{
  REAL(g_atomic_rc_box_release_full);
  __tsan_release(box);
  __tsan_acquire(box);
  real(box, clear);
}

/* GTask: what the caller set up before g_task_run_in_thread is seen by the thread, and what
 * the thread wrote before g_task_return_* by whoever propagates the result. The thread
 * function is wrapped to acquire the task first. */
static GQuark thread_func_quark(void)
{
  return g_quark_from_static_string("amorph-tsan-thread-func");
}

static void run_acquired(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  __tsan_acquire(task);
  GTaskThreadFunc func = (GTaskThreadFunc) g_object_get_qdata(G_OBJECT(task), thread_func_quark());
  func(task, source, data, cancellable);
}

void g_task_run_in_thread(GTask *task, GTaskThreadFunc func)
{
  REAL(g_task_run_in_thread);
  g_object_set_qdata(G_OBJECT(task), thread_func_quark(), (gpointer) func);
  __tsan_release(task);
  real(task, run_acquired);
}

#define RETURN_WRAPPER(name, params, args)                                                                             \
  void name params                                                                                                     \
  {                                                                                                                    \
    REAL(name);                                                                                                        \
    __tsan_release(task);                                                                                              \
    real args;                                                                                                         \
  }
RETURN_WRAPPER(g_task_return_pointer, (GTask * task, gpointer result, GDestroyNotify destroy), (task, result, destroy))
RETURN_WRAPPER(g_task_return_boolean, (GTask * task, gboolean result), (task, result))
RETURN_WRAPPER(g_task_return_int, (GTask * task, gssize result), (task, result))
RETURN_WRAPPER(g_task_return_error, (GTask * task, GError *error), (task, error))

#define PROPAGATE_WRAPPER(type, name)                                                                                  \
  type name(GTask *task, GError **error)                                                                               \
  {                                                                                                                    \
    REAL(name);                                                                                                        \
    __tsan_acquire(task);                                                                                              \
    return real(task, error);                                                                                          \
  }
PROPAGATE_WRAPPER(gpointer, g_task_propagate_pointer)
PROPAGATE_WRAPPER(gboolean, g_task_propagate_boolean)
PROPAGATE_WRAPPER(gssize, g_task_propagate_int)
