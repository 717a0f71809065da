using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DependencyProxy.Data.Migrations
{
    /// <inheritdoc />
    public partial class GroupCacheGeneration : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "CacheGeneration",
                table: "Groups",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // Whatever takes an entry away from a group (a purge, TTL cleanup, eviction, deleting an image, on any node)
            // bumps the group's generation in the same transaction, so no code path can forget it (issue 15).
            migrationBuilder.Sql("""
                CREATE TRIGGER "CachedManifestRemoved" AFTER DELETE ON "CachedManifests"
                BEGIN UPDATE "Groups" SET "CacheGeneration" = "CacheGeneration" + 1 WHERE "Id" = OLD."GroupId"; END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "CachedManifestStatusChanged" AFTER UPDATE OF "Status" ON "CachedManifests"
                WHEN OLD."Status" <> NEW."Status"
                BEGIN UPDATE "Groups" SET "CacheGeneration" = "CacheGeneration" + 1 WHERE "Id" = OLD."GroupId"; END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "CachedManifestRemoved";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "CachedManifestStatusChanged";""");
            migrationBuilder.DropColumn(
                name: "CacheGeneration",
                table: "Groups");
        }
    }
}
