"""Render a run's fields.pvd in ParaView (last frame, cells coloured by χ): the README picture.

    xvfb-run -a pvbatch scripts/paraview_snapshot.py results/demo/fields.pvd \
        docs/figures/paraview_demo.png

Uses ParaView's own PVD reader, as a user opening the file would (Debian 12's ParaView 5.11:
``apt install paraview python3-paraview xvfb``).
"""

import sys

from paraview import simple

source, target = sys.argv[1], sys.argv[2]
reader = simple.PVDReader(FileName=source)
reader.UpdatePipelineInformation()
times = reader.TimestepValues
view = simple.GetActiveViewOrCreate("RenderView")
view.ViewSize = [1200, 900]
view.ViewTime = times[-1] if times else 0.0
display = simple.Show(reader, view)
simple.ColorBy(display, ("CELLS", "chi_K"))
display.RescaleTransferFunctionToDataRange(True, False)
display.SetScalarBarVisibility(view, True)
lut = simple.GetColorTransferFunction("chi_K")
lut.ApplyPreset("Inferno (matplotlib)", True)
view.OrientationAxesVisibility = 0
view.CameraPosition = [0, 0, 1]
view.CameraViewUp = [0, 1, 0]
view.ResetCamera()
simple.Render(view)
simple.SaveScreenshot(target, view, ImageResolution=[1200, 900])
