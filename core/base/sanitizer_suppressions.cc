// ThreadSanitizer suppressions, compiled into every binary of a
// --config=tsan build (the runtime asks for them at start-up).
#if defined(MX_SANITIZER) && defined(__SANITIZE_THREAD__)

// libstdc++ is not instrumented: the atomic reference counts of
// exception_ptr (and of the copy-on-write message string runtime_error
// copies share) are invisible to TSAN, so the last release on an engine
// worker looks like a race with the thread that read the message earlier
// and then dropped its own reference.
// OpenCV's image decoding locks GDAL's (uninstrumented) mutexes in both
// orders. python/tsan.supp repeats these for the Python tests.
extern "C" const char* __tsan_default_suppressions() {
  return "race:std::__exception_ptr::exception_ptr::_M_release\n"
         "deadlock:libgdal.so\n";
}

#endif
