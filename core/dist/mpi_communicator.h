// The MPI implementation of Communicator (communicator.h).
#ifndef MX_CORE_DIST_MPI_COMMUNICATOR_H_
#define MX_CORE_DIST_MPI_COMMUNICATOR_H_

#include "core/dist/communicator.h"

namespace mx {
namespace dist {

// Initializes MPI on a new communication thread; mx::Error when it cannot.
Communicator* NewMpiCommunicator();

}  // namespace dist
}  // namespace mx

#endif  // MX_CORE_DIST_MPI_COMMUNICATOR_H_
