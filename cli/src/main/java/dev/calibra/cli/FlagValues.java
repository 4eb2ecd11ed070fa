package dev.calibra.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Range checks for numeric flags, run by picocli as it parses, so an explicit value is refused with the
 * flag named ("Invalid value for option '--bits': ...") before anything is sent. A flag left out stays
 * null and the service applies its documented default; an explicit value is never swapped for one.
 */
public final class FlagValues {

    private FlagValues() {}

    /** An integer > 0. */
    public static final class Positive implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int parsed = integer(value);
            if (parsed <= 0) {
                throw new TypeConversionException("must be > 0, got " + parsed);
            }
            return parsed;
        }
    }

    /** A long > 0. */
    public static final class PositiveLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long parsed;
            try {
                parsed = Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("expected a whole number, got '" + value + "'");
            }
            if (parsed <= 0) {
                throw new TypeConversionException("must be > 0, got " + parsed);
            }
            return parsed;
        }
    }

    /** An integer >= 0 (for flags whose 0 means "none", such as a quota). */
    public static final class NonNegative implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int parsed = integer(value);
            if (parsed < 0) {
                throw new TypeConversionException("must be >= 0, got " + parsed);
            }
            return parsed;
        }
    }

    /** Quantization bits the services implement. */
    public static final class Bits implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int parsed = integer(value);
            if (parsed != 2 && parsed != 3 && parsed != 4 && parsed != 8) {
                throw new TypeConversionException("must be 2, 3, 4 or 8, got " + parsed);
            }
            return parsed;
        }
    }

    /** Columns per quantization group: -1 (per channel) or > 0. */
    public static final class GroupSize implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int parsed = integer(value);
            if (parsed != -1 && parsed <= 0) {
                throw new TypeConversionException("must be -1 (per channel) or > 0, got " + parsed);
            }
            return parsed;
        }
    }

    /** A fraction strictly between 0 and 1 (a sparsity). */
    public static final class OpenFraction implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            double parsed = number(value);
            if (!(parsed > 0 && parsed < 1)) {
                throw new TypeConversionException("must be in (0, 1), got " + value.trim());
            }
            return parsed;
        }
    }

    /** A fraction in (0, 1] (dampening, top-p). */
    public static final class Fraction implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            double parsed = number(value);
            if (!(parsed > 0 && parsed <= 1)) {
                throw new TypeConversionException("must be in (0, 1], got " + value.trim());
            }
            return parsed;
        }
    }

    /** A finite number >= 0 (a temperature). */
    public static final class NonNegativeNumber implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            double parsed = number(value);
            if (!(parsed >= 0)) {
                throw new TypeConversionException("must be >= 0, got " + value.trim());
            }
            return parsed;
        }
    }

    /** A finite number > 0 (a repetition penalty, a mixture weight). */
    public static final class PositiveNumber implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            double parsed = number(value);
            if (!(parsed > 0)) {
                throw new TypeConversionException("must be > 0, got " + value.trim());
            }
            return parsed;
        }
    }

    private static int integer(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("expected a whole number, got '" + value + "'");
        }
    }

    private static double number(String value) {
        double parsed;
        try {
            parsed = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("expected a number, got '" + value + "'");
        }
        if (!Double.isFinite(parsed)) {
            throw new TypeConversionException("expected a finite number, got '" + value + "'");
        }
        return parsed;
    }
}
