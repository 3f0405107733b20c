//! Dense kernels for the training inner loop: `dot`, `axpy`, and the fused output-layer update.
//!
//! Vectors are short (dim ~ 100-300), so the kernels are written for latency: AVX2 + FMA with four
//! independent accumulators when the CPU has them (detected once per training call), a scalar
//! fallback with four accumulators otherwise. The training loop is monomorphised over [`Kernel`]
//! and compiled inside a `#[target_feature(enable = "avx2,fma")]` function, so these inline.
//!
//! All kernels take raw pointers: rows of the weight matrices are shared between Hogwild threads
//! (see `shared_matrix::SharedRows`), so no `&mut` slice to a row is ever formed.

// Forced inlining: the kernels must inline into the AVX2-compiled training loop.
#![allow(clippy::inline_always)]
/// One implementation of the three kernels.
///
/// # Safety
/// Every pointer must be valid for `n` reads (and writes where mutated) of `f32`.
pub trait Kernel: Copy {
    /// `sum_k x[k] * y[k]`.
    ///
    /// # Safety
    /// `x` and `y` valid for `n` reads.
    unsafe fn dot(x: *const f32, y: *const f32, n: usize) -> f32;
    /// `y[k] += a * x[k]`.
    ///
    /// # Safety
    /// `x` valid for `n` reads, `y` for `n` reads and writes.
    unsafe fn axpy(a: f32, x: *const f32, y: *mut f32, n: usize);
    /// The output-layer step: `e[k] += g * out[k]` (old value), then `out[k] += g * h[k]`.
    ///
    /// # Safety
    /// `h` valid for `n` reads, `out` and `e` for `n` reads and writes.
    unsafe fn update(g: f32, h: *const f32, out: *mut f32, e: *mut f32, n: usize);
}

/// Portable scalar kernels (four accumulators so the compiler can vectorise and pipeline).
#[derive(Clone, Copy, Debug)]
pub struct Scalar;

impl Kernel for Scalar {
    #[inline(always)]
    unsafe fn dot(x: *const f32, y: *const f32, n: usize) -> f32 {
        let mut acc = [0.0f32; 4];
        let mut k = 0;
        // SAFETY: the caller guarantees n readable elements behind both pointers.
        unsafe {
            while k + 4 <= n {
                for (j, a) in acc.iter_mut().enumerate() {
                    *a += *x.add(k + j) * *y.add(k + j);
                }
                k += 4;
            }
            let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
            while k < n {
                s += *x.add(k) * *y.add(k);
                k += 1;
            }
            s
        }
    }

    #[inline(always)]
    unsafe fn axpy(a: f32, x: *const f32, y: *mut f32, n: usize) {
        for k in 0..n {
            // SAFETY: the caller guarantees n elements behind both pointers.
            unsafe { *y.add(k) += a * *x.add(k) };
        }
    }

    #[inline(always)]
    unsafe fn update(g: f32, h: *const f32, out: *mut f32, e: *mut f32, n: usize) {
        for k in 0..n {
            // SAFETY: the caller guarantees n elements behind all three pointers.
            unsafe {
                let o = *out.add(k);
                *e.add(k) += g * o;
                *out.add(k) = o + g * *h.add(k);
            }
        }
    }
}

/// AVX2 + FMA kernels. Only used after `is_x86_feature_detected!("avx2")` and `("fma")`.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy, Debug)]
pub struct Avx2;

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::{
        __m256, _mm256_add_ps, _mm256_castps256_ps128, _mm256_extractf128_ps, _mm256_fmadd_ps,
        _mm256_loadu_ps, _mm256_set1_ps, _mm256_setzero_ps, _mm256_storeu_ps, _mm_add_ps,
        _mm_add_ss, _mm_cvtss_f32, _mm_movehl_ps, _mm_shuffle_ps,
    };

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn hsum(v: __m256) -> f32 {
        // Only reached from functions compiled for AVX2 (called after detection).
        let lo = _mm256_castps256_ps128(v);
        let hi = _mm256_extractf128_ps::<1>(v);
        let s = _mm_add_ps(lo, hi);
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_add_ss(s, _mm_shuffle_ps::<0b01>(s, s));
        _mm_cvtss_f32(s)
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn dot(x: *const f32, y: *const f32, n: usize) -> f32 {
        // SAFETY: the caller guarantees n readable elements behind x and y.
        unsafe {
            let mut a0 = _mm256_setzero_ps();
            let mut a1 = _mm256_setzero_ps();
            let mut a2 = _mm256_setzero_ps();
            let mut a3 = _mm256_setzero_ps();
            let mut k = 0;
            while k + 32 <= n {
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x.add(k)), _mm256_loadu_ps(y.add(k)), a0);
                a1 = _mm256_fmadd_ps(
                    _mm256_loadu_ps(x.add(k + 8)),
                    _mm256_loadu_ps(y.add(k + 8)),
                    a1,
                );
                a2 = _mm256_fmadd_ps(
                    _mm256_loadu_ps(x.add(k + 16)),
                    _mm256_loadu_ps(y.add(k + 16)),
                    a2,
                );
                a3 = _mm256_fmadd_ps(
                    _mm256_loadu_ps(x.add(k + 24)),
                    _mm256_loadu_ps(y.add(k + 24)),
                    a3,
                );
                k += 32;
            }
            while k + 8 <= n {
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x.add(k)), _mm256_loadu_ps(y.add(k)), a0);
                k += 8;
            }
            let mut s = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
            while k < n {
                s = (*x.add(k)).mul_add(*y.add(k), s);
                k += 1;
            }
            s
        }
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn axpy(a: f32, x: *const f32, y: *mut f32, n: usize) {
        // SAFETY: the caller guarantees n elements behind x and y.
        unsafe {
            let av = _mm256_set1_ps(a);
            let mut k = 0;
            while k + 8 <= n {
                let r = _mm256_fmadd_ps(av, _mm256_loadu_ps(x.add(k)), _mm256_loadu_ps(y.add(k)));
                _mm256_storeu_ps(y.add(k), r);
                k += 8;
            }
            while k < n {
                *y.add(k) = a.mul_add(*x.add(k), *y.add(k));
                k += 1;
            }
        }
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn update(g: f32, h: *const f32, out: *mut f32, e: *mut f32, n: usize) {
        // SAFETY: the caller guarantees n elements behind h, out and e.
        unsafe {
            let gv = _mm256_set1_ps(g);
            let mut k = 0;
            while k + 8 <= n {
                let o = _mm256_loadu_ps(out.add(k));
                _mm256_storeu_ps(e.add(k), _mm256_fmadd_ps(gv, o, _mm256_loadu_ps(e.add(k))));
                _mm256_storeu_ps(
                    out.add(k),
                    _mm256_fmadd_ps(gv, _mm256_loadu_ps(h.add(k)), o),
                );
                k += 8;
            }
            while k < n {
                let o = *out.add(k);
                *e.add(k) = g.mul_add(o, *e.add(k));
                *out.add(k) = g.mul_add(*h.add(k), o);
                k += 1;
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
impl Kernel for Avx2 {
    #[inline(always)]
    unsafe fn dot(x: *const f32, y: *const f32, n: usize) -> f32 {
        // SAFETY: Avx2 is only selected when the CPU has AVX2 and FMA; pointers per the trait.
        unsafe { avx2::dot(x, y, n) }
    }
    #[inline(always)]
    unsafe fn axpy(a: f32, x: *const f32, y: *mut f32, n: usize) {
        // SAFETY: as above.
        unsafe { avx2::axpy(a, x, y, n) }
    }
    #[inline(always)]
    unsafe fn update(g: f32, h: *const f32, out: *mut f32, e: *mut f32, n: usize) {
        // SAFETY: as above.
        unsafe { avx2::update(g, h, out, e, n) }
    }
}

/// Whether the AVX2 + FMA kernels can run on this CPU.
pub fn has_avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Safe dot product of two equal-length slices with the best kernel (for tests and similarity).
pub fn dot(x: &[f32], y: &[f32]) -> f32 {
    let n = x.len().min(y.len());
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: both slices hold at least n elements; the CPU has AVX2 and FMA.
        return unsafe { Avx2::dot(x.as_ptr(), y.as_ptr(), n) };
    }
    // SAFETY: both slices hold at least n elements.
    unsafe { Scalar::dot(x.as_ptr(), y.as_ptr(), n) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize, s: f32) -> Vec<f32> {
        (0..n).map(|i| ((i as f32) * 0.37 + s).sin()).collect()
    }

    #[test]
    fn kernels_agree_with_naive() {
        for n in [0, 1, 7, 8, 31, 32, 33, 100, 300] {
            let x = data(n, 0.1);
            let y = data(n, 1.3);
            let naive: f32 = x.iter().zip(&y).map(|(a, b)| a * b).sum();
            // SAFETY: n elements each.
            let s = unsafe { Scalar::dot(x.as_ptr(), y.as_ptr(), n) };
            assert!((s - naive).abs() < 1e-4, "{n}");
            assert!((dot(&x, &y) - naive).abs() < 1e-4, "{n}");
            #[cfg(target_arch = "x86_64")]
            if has_avx2_fma() {
                let mut y1 = y.clone();
                let mut y2 = y.clone();
                let mut e1 = x.clone();
                let mut e2 = x.clone();
                // SAFETY: n elements each; the CPU has AVX2+FMA.
                unsafe {
                    Avx2::axpy(0.5, x.as_ptr(), y1.as_mut_ptr(), n);
                    Scalar::axpy(0.5, x.as_ptr(), y2.as_mut_ptr(), n);
                }
                for (a, b) in y1.iter().zip(&y2) {
                    assert!((a - b).abs() < 1e-6);
                }
                let h = data(n, 2.0);
                // SAFETY: as above.
                unsafe {
                    Avx2::update(0.25, h.as_ptr(), y1.as_mut_ptr(), e1.as_mut_ptr(), n);
                    Scalar::update(0.25, h.as_ptr(), y2.as_mut_ptr(), e2.as_mut_ptr(), n);
                }
                for (a, b) in y1.iter().zip(&y2).chain(e1.iter().zip(&e2)) {
                    assert!((a - b).abs() < 1e-6);
                }
            }
        }
    }
}
