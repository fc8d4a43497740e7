/* units.c - placeholder; implemented by the config work. */
#include "domain/units.h"
