//! NZ Post and GoSweetSpot clients behind one Carrier trait.
