"""Post-processing: what is measured on a run's cells and curves (docs/model.md §6).

- :mod:`~stz_fem.postprocess.band_measures`: measures over the cells of one state: the
  localization index L, the flowing fraction, a band's orientation, centre and width, the
  angles of an X of bands, and ``band_measures`` (all of them, for summary.json).
- :mod:`~stz_fem.postprocess.profiles`: 1-D profiles: slab averages of cell data, peak centre
  and FWHM, and the bands along a surface (count, spacing, period).
- :mod:`~stz_fem.postprocess.load_history`: a run's history: the first plastic flow, the onset
  of localization, load drops and the peak stress.
- :mod:`~stz_fem.postprocess.specimen_results`: what a specimen declares it reports (tensile
  surface bands, curve quantities, its load curve), computed with the modules above.
- :mod:`~stz_fem.postprocess.cells`: checks of cell data and minimum images in periodic
  domains, shared by the measures and the profiles.

Dependencies run one way: ``cells`` ← ``profiles`` ← ``band_measures``, and ``profiles``,
``load_history`` ← ``specimen_results``; none of them imports the specimens or dolfinx.
"""
