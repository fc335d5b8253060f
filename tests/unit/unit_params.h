/* unit_params.h - table-driven Criterion tests, shared by tests/unit/test_*.c. */
#ifndef CGIJAIL_UNIT_PARAMS_H
#define CGIJAIL_UNIT_PARAMS_H

#include <stddef.h>

#include <criterion/parameterized.h>

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Criterion copies parameters into its worker processes, where pointers of
 * the runner (string literals under ASLR) are not valid: the parameter is
 * an index into a static table instead. */
#define INDEX_PARAMS(table)                                              \
	do {                                                             \
		static size_t idx_[NELEMS(table)];                       \
		for (size_t k_ = 0; k_ < NELEMS(table); k_++)            \
			idx_[k_] = k_;                                   \
		return cr_make_param_array(size_t, idx_, NELEMS(table)); \
	} while (0)

#endif
