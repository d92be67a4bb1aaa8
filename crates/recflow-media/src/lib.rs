//! recflow's media stage: downloading recordings and trimming their silent ends.
