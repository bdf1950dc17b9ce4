"""A 2-rank smoke test of the MPI stack: DOLFINx mesh partitioning and an 8 MB allreduce.

Run by ``scripts/mpirun`` to pick MPICH transport settings that work on this machine.
"""

import dolfinx_solver  # noqa: F401

import dolfinx
import numpy as np
from mpi4py import MPI

comm = MPI.COMM_WORLD
mesh = dolfinx.mesh.create_unit_square(comm, 16, 16)
assert mesh.topology.index_map(2).size_global == 512
# 8 MB goes through the large-message (rendezvous) path, where transports differ.
values = np.full(1 << 20, float(comm.rank))
total = np.empty_like(values)
comm.Allreduce(values, total)
assert total[-1] == comm.size * (comm.size - 1) / 2
