// ThreadSanitizer suppressions for uninstrumented system libraries (TSan
// reads them at start; other builds ignore the function). OpenCV's
// imgcodecs loads GDAL, whose global mutexes TSan reports as a lock-order
// inversion inside GDAL itself. Linked statically into every binary that
// uses OpenCV: TSan only finds this function in the executable.
extern "C" const char* __tsan_default_suppressions() {
  return "deadlock:*libgdal*\n"
         "race:*libgdal*\n";
}
