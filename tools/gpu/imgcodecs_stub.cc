// A stand-in for OpenCV's libopencv_imgcodecs.so.406 in the GPU test pack
// (tools/gpu/pack.sh, MX_PACK_TOOLS=1): Debian's library pulls in GDAL, GDCM,
// OpenEXR and more, 44 MB compressed, past what the device tool carries.
// mxtrain and mxinfer call only these two; on the GPU machine they read IDX
// data and draw no curve (logging.curve false), so neither is reached there,
// and if one is, it fails with OpenCV's error rather than a wrong result.
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

namespace cv {

Mat imdecode(InputArray, int) {
  CV_Error(Error::StsNotImplemented,
           "image decoding is not in mx's GPU test pack (tools/gpu/pack.sh)");
}

bool imencode(const String&, InputArray, std::vector<uchar>&,
              const std::vector<int>&) {
  CV_Error(Error::StsNotImplemented,
           "image encoding is not in mx's GPU test pack (tools/gpu/pack.sh)");
}

}  // namespace cv
